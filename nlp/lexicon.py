"""Keyword groups: what residents say about each kind of problem or question.

Each group is a regular expression over normalised text (nlp.text.normalise). The classifier sees
a hit as a feature "k:<group>" and learns how much to trust it, so a list can be generous; the
rules in nlp.rules use only the formulaic, unambiguous ones. Group names are category codes
(taxonomy.yaml) or "intent:<code>" for cues of an intent.
"""
from __future__ import annotations

import re

KEYWORDS: dict[str, str] = {
    # complaint categories
    "elevator": r"电梯|电题|轿厢|梯控|96333|困人|扶梯",
    "water_leak": r"漏水|渗水|滴水|返水|反水|下水道?|地漏|堵了|堵塞|管道|水管|爆管|化粪池|马桶|排水|积水|水渍",
    "public_lighting": r"楼道灯|声控灯|路灯|灯不亮|灯坏|黑灯瞎火|照明|灯泡|感应灯|电线|线头|配电箱|电缆",
    "facility_damage": r"坏了|损坏|断了|塌|坑|台阶|扶手|道闸|抬杆|地垫|跷跷板|滑梯|减速带|指示牌|围栏|围墙|可视对讲|门铃|门禁|单元门|监控|摄像头|对讲|健身器材|座椅|秋千|滑梯|井盖|护栏|栏杆|破损|坏了没人修|闸机|道闸|信报箱|快递柜|外墙|瓷砖",
    "sanitation": r"泔水|呕吐物|烂菜|灰|蜘蛛网|埋汰|脏死|发臭|臭味|熏死|没人清|清理|垃圾|保洁|卫生|清扫|打扫|脏|臭|异味|苍蝇|蟑螂|老鼠|清运|分类",
    "greening": r"树|草|花|绿篱|爬山虎|喷头|浇|虫|落叶|绿化|草坪|树木|修剪|剪枝|树枝|杂草|枯死|补种|浇水|花坛|绿地|虫害|打药",
    "security_order": r"陌生|可疑|丢了|被盗|顺走|划车|划了|醉汉|传销|冒充|诈骗|骗|跟踪|转悠|没人值班|不值班|岗亭没人|随便进|谁都能进|保安|门岗|外来人员|陌生人|小偷|被偷|偷|盗|撬|治安|巡逻|推销|发小广告|登记|刷脸|尾随|打架|报警",
    "parking": r"汽车|私家车|车辆|道闸|网约车|停车|车位|占位|乱停|堵车|挡住|挪车|地锁|车库|僵尸车|外来车",
    "clutter": r"摆|鱼缸|冰柜|床板|横幅|拉绳|晒被子|挂满|绑满|贴的|写满|堆物|堆放|杂物|堆满|乱堆|乱放|小广告|乱贴|乱画|涂鸦|晾晒|乱扯|乱挂|纸箱|旧家具|占用楼道",
    "ev_charging": r"电动车|电瓶车|电动自行车|飞线|充电|拉线|插线板|电池|推进楼|推上楼|进电梯",
    "fire_lane": r"消防通道|消防车道|生命通道|消防栓|消火栓|灭火器|消防设施|安全出口|防火门|烟感|喷淋|消防",
    "illegal_construction": r"铁皮屋|院子|砌|围起来|圈进|菜地|种菜|水泥地|售楼处|违建|违章|搭建|私搭|乱建|加盖|圈占|圈地|私开|开门|开窗|阳光房|扩建|占绿地|封阳台|搭棚|彩钢",
    "structural_alteration": r"仓库|作坊|挖|地下室|住宅改|改民宿|打孔|承重|砸墙|拆墙|打通|改结构|结构|裂缝|群租|改成|隔断|商用|民宿|开店|改变用途|住改商|梁|柱",
    "cooking_fumes": r"油烟|饭店|餐馆|烧烤|烤串|排烟|厨房排风|火锅|炒菜味|呛|熏",
    "noise": r"响|叫|闹|敲锣打鼓|钢琴|尖叫|划拳|广播|噪音|噪声|吵|扰民|广场舞|装修声|电钻|半夜|深夜|凌晨|喇叭|音响|施工|跺脚|弹琴|唱歌|狗叫",
    "pets": r"狗|犬|猫|宠物|遛狗|拴绳|狗屎|狗粪|咬人|吠|鸽子|养鸡|家禽",
    "utilities": r"电压|跳电|水量|水压|出水|二次供水|水箱|热力|停水|停电|停气|断水|断电|没水|没电|水压|供暖|暖气|不热|燃气|煤气|天然气|水费|电费|跳闸|自来水|水质|黄水",
    "fee_dispute": r"收费|收钱|费用|押金|退费|涨|凭什么|摊|乱收费|多收|收费不合理|凭什么收|公摊|公共收益|收支|账目不公开|涨价|涨物业费|重复收|强制收|不公示",
    "property_service": r"物业|管家|前台|值班电话|没人接|推来推去|收钱机器|干啥吃的|干什么吃的|物业不作为|不作为|态度差|态度恶劣|不管|没人管|推诿|踢皮球|敷衍|服务差|服务太差|不回复|找不到人|换物业|不接电话",
    "committee_affairs": r"业委会|业主委员会|换届|选举|委员|主任|业主大会|账目|维修基金|维修资金|罢免",
    "neighbor_dispute": r"扯皮|骂|不依不饶|口角|欺负|翻脸|讲理|协商|赔偿|说了几次|说了也不听|敲门|吐口水|推倒|打起来|邻居|楼上|楼下|对门|隔壁|吵架|纠纷|矛盾|调解|占用公共|堵门",
    "other": r"宽带|网速|信号|wifi|有线电视|快递丢|快递柜|邮政|导航|售水机|充电宝|小程序|广告屏|地铁|围挡",
    # intent cues
    "intent:fee_inquiry": r"物业费|欠费|欠多少|交了没|缴费|交费|怎么交|收费标准|多少钱|单价|发票|票据|收据|账单|缴到|交到几月|减免",
    "intent:vote": r"投票|表决|选票|征求意见|征询|意见稿|同意|反对|弃权|计票|唱票|结果公布|业主大会",
    "intent:progress": r"进度|进展|工单|单号|处理到哪|怎么样了|有结果|有回复|回复了吗|催一下|催办|还没处理|上次反映|之前反映|报修的|投诉的|几天了",
    "intent:notice": r"通知|公告|公示|停水|停电|几点恢复|检修|贴的|张贴|群里说|听说要|安排",
    "intent:other_ad": r"出售|出租|求租|转让|招聘|招募|招收|兼职|回收|加微信|加v|私聊|日赚|月入|上门服务|家教|低价|特价|"
                       r"优惠|招商|有意|拎包入住|九成新|自提|包邮|代购|团购|接龙|红包|扩散|转发",
    "intent:other_found": r"捡到|丢了|失物|认领|谁的|谁家的|落在|掉在|找到了|走失|借我|借一下|借用",
    "intent:other_chat": r"股票|房价|油价|菜价|工资|老板|加班|上班|作业|孩子学习|天气|吃啥|吃什么|笑话|情话|推荐|哪里能|哪家|"
                        r"怎么走|几点了|放假|医院|高铁|快递到哪|翻译|作文|周杰伦|机器人|人类|媳妇|老公|老婆",
    "intent:progress_follow": r"报了|报过|报的|反映了|反映过|反映的|投诉了|投诉过|投诉的|那个事|那事|那个单|单子|有回音|"
                             r"有人跟|跟进|修了吗|修了没|清了没|剪了没|来了没|来看过|排上|回了没|答复|给个准话|"
                             r"到底哪天|还没人|没人理|没人来|没有人联系|催|撤销|升级处理|晾着|拖着",
    "intent:greeting": r"^(?:你好|您好|hi|hello|嗨|哈喽|在吗|在不在|早上好|晚上好|谢谢|感谢|help|帮助)|怎么用|怎么使用|能做什么|干什么的|绑定|绑房|认证|使用说明|功能|菜单|教程|客服|真人|机器人吗|推送|切换小区|拉进|再见|晚安|节日快乐|快乐|辛苦了|"
                        r"懂了|明白|知道了|好的|收到|ok",
}

# Cues of what a message does rather than what it is about: asking, following up, complaining,
# praising, trading, talking about somewhere else. They separate the intents where the topic words
# are the same ("物业费多少钱" asks, "物业费凭什么涨" complains, "我表姐小区物业费才八毛" chats). Each
# hit becomes its own feature, named by its key.
CUES: dict[str, str] = {
    # question forms
    "q:mark": r"[?？]",
    "q:particle": r"[吗嘛么伐不没][\s\W_]*$|[吗嘛]",
    "q:ne": r"呢",
    "q:how": r"怎么|咋|如何|怎样|啥时候|什么时候|几点|哪天|多久|多长时间|点样|点解",
    "q:what": r"什么|啥|哪|谁",
    "q:how_much": r"多少|几个|几月|几号|几天",
    "q:yes_no": r"能不能|可不可以|可以吗|能否|是不是|有没有|会不会|要不要|行不行|是否|算不算|[了过]没有?",
    "q:please": r"请问|想问|问一下|问下|问问|咨询|打听|想了解",
    # following up on something already reported
    "f:before": r"上次|上回|之前|前天|前几天|昨天|上周|上个月|早就|已经",
    "f:urge": r"催|赶紧|尽快|快点|抓紧|加急",
    "f:not_yet": r"还没|还是没|一直没|迟迟|到现在|至今|仍然|依然|还不",
    "f:ticket": r"工单|单号|编号|受理号|报修单|单子|那个单|我的单",
    "f:progress": r"进度|进展|处理到|结果|回复|答复|回音|跟进|结单|办结|处理得?怎么样",
    "f:reported": r"报修|报了|报过|反映过|反映了|投诉过|投诉了|提交|举报过",
    # using Linli itself: help questions are greetings (taxonomy: 问候、帮助、怎么使用)
    "g:usage": r"怎么用|咋用|用法|怎么弄|怎么玩|怎么操作|使用|菜单|按钮|点哪|绑定|绑了|绑成|认证|解绑|删掉|app|小程序|网页版|"
               r"设置|提醒|推送|消息免打扰|指引|教程|新手|第一次用|能干啥|能干嘛|能做什么|会些啥|本事|功能|客服|真人",
    "g:hello": r"^[\s\W_]*(?:早|早啊|早上好|上午好|中午好|下午好|晚上好|周[一二三四五六日]好|大家好|各位好|你好|您好|哈喽|嗨|hi|hello)",
    # tone
    "t:angry": r"凭什么|凭啥|什么道理|太过分|气死|受不了|忍无可忍|到底|究竟|离谱|无语|没人管|不管|不作为|糊弄|忽悠|坑人|霸王",
    "t:demand": r"要求|必须|赶快|马上|立刻|请尽快|麻烦|管管|处理一下|解决|给个说法|给个交代",
    "t:praise": r"谢谢|感谢|点赞|好评|五星|真好|不错|开心|好吃|好看|可爱|真香|厉害|棒|给力|满意|赞|哈哈|😂|👍|❤|羡慕|巴适|舒服",
    # not a matter for this estate's services
    "x:elsewhere": r"朋友|同事|老家|外地|别的小区|其他小区|人家小区|隔壁.{0,4}(?:小区|苑|园|花园|城)|公司|单位|新闻|抖音|快手|"
                   r"朋友圈|视频|网上|微博|热搜|以前住|老房子|婆婆那|我妈那|出差",
    "x:trade": r"微信|加v|私我|私聊|电话\d|\d+块|\d+元|包安装|上门服务|免费|优惠|打折|\d折|招生|出售|转让|求购|出租|求租|闲置|"
               r"九成新|拿走|日结|专业|承接|直销|报名|试听|团购|接龙|下单|送货|厂家|代办|随叫随到",
    "x:found": r"捡到|失主|谁的|谁家的|丢了|拿错|放错|认领|见过|走丢|找不到了",
    "x:bot": r"你是|你们开发|你会|你觉得|你怕|你属|你能|给我写|教我|讲个|chatgpt|python|机器人|ai|人工智能",
    "x:daily_life": r"老公|老婆|媳妇|孩子|娃|儿子|闺女|女儿|老板|工资|上班|减肥|天气|下雨|落雨|太阳|吃饭|做饭|考试|作业|放假|"
                    r"过年|春节|中秋|端午",
}

# Abbreviations and slips residents type, spelled out before features are computed (not before
# place extraction). Pinyin initials are matched only as whole ASCII words.
ALIASES: dict[str, str] = {
    r"(?<![a-z])wy(?![a-z])": "物业",
    r"(?<![a-z])ywh(?![a-z])": "业委会",
    r"(?<![a-z])tcw(?![a-z])": "停车位",
    r"(?<![a-z])bj(?![a-z])": "保洁",
    r"(?<![a-z])ting ?dian(?![a-z])": "停电",
    r"(?<![a-z])ting ?shui(?![a-z])": "停水",
    r"电驴|电摩|小电驴": "电动车",
    r"电题": "电梯",
    r"垃及|拉圾": "垃圾",
    r"保按": "保安",
    r"燃汽": "燃气",
}
_ALIASES = tuple((re.compile(pattern), word) for pattern, word in ALIASES.items())


def expand_aliases(norm_text: str) -> str:
    for pattern, word in _ALIASES:
        norm_text = pattern.sub(word, norm_text)
    return norm_text


_COMPILED = tuple((name, re.compile(pattern)) for name, pattern in KEYWORDS.items())


def keyword_groups(norm_text: str) -> list[str]:
    """Names of the groups whose keywords occur in the normalised text."""
    return [name for name, pattern in _COMPILED if pattern.search(norm_text)]


_CUES = tuple((name, re.compile(pattern)) for name, pattern in CUES.items())


def cues(norm_text: str) -> list[str]:
    """Names of the CUES found in the normalised text."""
    return [name for name, pattern in _CUES if pattern.search(norm_text)]
